import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { buildModel } from './write-model.ts';

describe('buildModel', () => {
  it('lists every file with its SHA-256 and aligns tensors to 8 bytes', () => {
    const { files, manifest } = buildModel({
      task: 'recommend', kind: 'item-embedding', name: 't', version: '1', createdAt: '2026-01-01T00:00:00Z',
      tensors: [
        { name: 'a', data: new Int8Array([1, 2, 3]), shape: [3] },
        { name: 'b', data: new Float32Array([1.5, 2.5]), shape: [2] },
      ],
      sideFiles: { 'items.json': [{ id: 'x' }] },
      contract: {},
    });
    expect(manifest.tensors.map((t) => [t.name, t.byteOffset, t.dtype])).toEqual([['a', 0, 'int8'], ['b', 8, 'float32']]);
    for (const f of manifest.files) {
      const bytes = files.get(f.path)!;
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.bytes).toBe(bytes.byteLength);
    }
    const w = files.get('weights.bin')!;
    expect(new Float32Array(w.buffer, w.byteOffset + 8, 2)[1]).toBe(2.5);
  });
  it('refuses a tensor whose data does not match its shape', () => {
    expect(() => buildModel({ task: 'intent', kind: 'x', name: 'x', version: '1', tensors: [{ name: 'a', data: new Float32Array(3), shape: [2, 2] }], contract: {} })).toThrow(RangeError);
  });
});
