import { describe, expect, it } from 'vitest';
import { buildFixture } from '../test-support/fixture-model.ts';
import { parseManifest, parseModelIndex } from './manifest-guard.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return `${(e as { code: string }).code} ${(e as Error).message}`;
  }
};

describe('manifest guard', () => {
  const fx = buildFixture({ items: 20 });
  const good = JSON.parse(JSON.stringify(fx.manifest));

  it('accepts what models/ writes, and the index beside it', () => {
    expect(parseManifest(good)).toEqual(fx.manifest);
    expect(parseModelIndex(JSON.parse(JSON.stringify(fx.index)))).toEqual(fx.index);
  });

  it.each([
    ['not an object', []],
    ['wrong format', { ...good, format: 'onnx' }],
    ['wrong formatVersion', { ...good, formatVersion: 2 }],
    ['unknown task', { ...good, task: 'mine-bitcoin' }],
    ['extra top-level field', { ...good, evil: true }],
    ['no files', { ...good, files: [] }],
    ['path traversal', { ...good, files: [{ ...good.files[0], path: '..' }] }],
    ['slash in path', { ...good, files: [{ ...good.files[0], path: '../../etc/passwd' }] }],
    ['uppercase digest', { ...good, files: [{ ...good.files[0], sha256: good.files[0].sha256.toUpperCase() }] }],
    ['negative bytes', { ...good, files: [{ ...good.files[0], bytes: -1 }] }],
    ['duplicate file', { ...good, files: [good.files[0], good.files[0]] }],
    ['bad dtype', { ...good, tensors: [{ ...good.tensors[0], dtype: 'float64' }] }],
    ['fractional offset', { ...good, tensors: [{ ...good.tensors[0], byteOffset: 1.5 }] }],
    ['bad scheme', { ...good, tensors: [{ ...good.tensors[0], quantization: { scheme: 'affine' } }] }],
    ['contract not an object', { ...good, contract: 'x' }],
  ])('refuses %s with EW_MODEL_INVALID', (_, bad) => {
    expect(codeOf(() => parseManifest(bad))).toMatch(/^EW_MODEL_INVALID /);
  });

  it('refuses index paths that leave the model folder', () => {
    for (const path of ['../x', '/abs', 'a/../b', 'https://evil.example/m', '', 'a//b']) {
      expect(codeOf(() => parseModelIndex({ ...fx.index, models: [{ task: 'recommend', path, version: '1' }] })), path).toMatch(/^EW_MODEL_INVALID /);
    }
  });
});
