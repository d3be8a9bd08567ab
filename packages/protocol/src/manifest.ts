import { Type, type Static } from '@sinclair/typebox';

/**
 * Model manifests: what `models/` writes and `runtime` loads. Every file is listed with its SHA-256; the runtime
 * refuses a file whose digest differs and never half-loads a model.
 */

export const ModelTask = Type.Union([
  Type.Literal('recommend'),
  Type.Literal('intent'),
  Type.Literal('understand'),
  Type.Literal('segment'),
]);
export type ModelTask = Static<typeof ModelTask>;

export const TensorDtype = Type.Union([Type.Literal('int8'), Type.Literal('uint8'), Type.Literal('float32'), Type.Literal('int32')]);
export type TensorDtype = Static<typeof TensorDtype>;

export const ManifestFile = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    bytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type ManifestFile = Static<typeof ManifestFile>;

/** One tensor stored inside a binary file, little-endian, row-major. */
export const ManifestTensor = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    file: Type.String({ minLength: 1, maxLength: 200 }),
    byteOffset: Type.Integer({ minimum: 0 }),
    dtype: TensorDtype,
    shape: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 8 }),
    /**
     * Symmetric int8 quantization: value = int8 * scale. `per-row` means one float32 scale per row (axis 0),
     * stored in the tensor named by `scalesTensor`.
     */
    quantization: Type.Optional(
      Type.Object(
        {
          scheme: Type.Union([Type.Literal('per-row-symmetric'), Type.Literal('per-tensor-symmetric')]),
          scalesTensor: Type.Optional(Type.String()),
          scale: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ManifestTensor = Static<typeof ManifestTensor>;

export const ModelManifest = Type.Object(
  {
    format: Type.Literal('edgewise-model'),
    formatVersion: Type.Literal(1),
    task: ModelTask,
    /** Architecture inside the task, e.g. 'item-embedding', 'gru4rec', 'logistic', 'kmeans', 'bow-softmax'. */
    kind: Type.String({ minLength: 1, maxLength: 50 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    version: Type.String({ minLength: 1, maxLength: 50 }),
    createdAt: Type.String(),
    files: Type.Array(ManifestFile, { minItems: 1, maxItems: 64 }),
    tensors: Type.Array(ManifestTensor, { maxItems: 256 }),
    /** Task-specific contract: input/output description, hyper-parameters the runtime needs, label names. */
    contract: Type.Record(Type.String(), Type.Unknown()),
    /** Headline evaluation figures, for the transparency panel and the debug API. */
    metrics: Type.Optional(Type.Record(Type.String(), Type.Number())),
  },
  { additionalProperties: false },
);
export type ModelManifest = Static<typeof ModelManifest>;

/** The item catalog the recommend model ranks, as shipped beside it (`items.json`). */
export interface CatalogItem {
  id: string;
  title: string;
  category: string;
  brand?: string;
  price?: number;
  currency?: string;
  url?: string;
  image?: string;
}

/** The index file listing the models a site ships: `models/index.json` beside the model folders. */
export interface ModelIndex {
  format: 'edgewise-model-index';
  /** Model folders relative to the index, one per task. */
  models: Array<{ task: ModelTask; path: string; version: string }>;
  /**
   * Public value domains of the site's catalog, the same for every shopper. Reports bucket by them; the SDK matches
   * an event's `item_category` against a category's id or name.
   */
  domains: { category: Array<{ id: string; name: string }> };
}
