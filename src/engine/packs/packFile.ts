/**
 * A pack file: model-cache entries (weights and outputs) in one binary file, so the models a preset needs can be
 * shipped with the app and put into the cache under their own keys.
 *
 * Layout (little-endian):
 *   bytes 0–7    the magic "UPPACK1\n"
 *   bytes 8–11   uint32 h: length of the header
 *   12 … 12+h    the header, UTF-8 JSON: { entries: [{ key, kind, description, meta, createdAt,
 *                weights?: [{ name, shape, offset }], outputs: [{ name, offset, length }] }] }
 *                (offsets and lengths count float32 values from the start of the data)
 *   then         zero padding to a multiple of 4 bytes, then the data: float32 values
 * A weight's length is the product of its shape.
 */
import { z } from 'zod';
import { shapeSize } from '../cache/entry';
import { CACHED_MODEL_KINDS, type CachedModel } from '../cache/types';

const MAGIC = 'UPPACK1\n';

const headerSchema = z.object({
  entries: z.array(
    z.object({
      key: z.string().regex(/^[0-9a-f]{64}$/),
      kind: z.enum(CACHED_MODEL_KINDS),
      description: z.string(),
      meta: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
      weights: z.array(z.object({ name: z.string(), shape: z.array(z.int().min(0)), offset: z.int().min(0) })).optional(),
      outputs: z.array(z.object({ name: z.string(), offset: z.int().min(0), length: z.int().min(0) })),
    }),
  ),
});

/** The bytes of a pack holding `entries`. */
export function encodePack(entries: readonly CachedModel[]): Uint8Array<ArrayBuffer> {
  let offset = 0;
  const chunks: Float32Array[] = [];
  const place = (values: Float32Array) => {
    chunks.push(values);
    const at = offset;
    offset += values.length;
    return at;
  };
  const header = {
    entries: entries.map((e) => ({
      key: e.key,
      kind: e.kind,
      description: e.description,
      meta: e.meta,
      createdAt: e.createdAt,
      ...(e.weights ? { weights: e.weights.map((w) => ({ name: w.name, shape: w.shape, offset: place(w.values) })) } : {}),
      outputs: Object.entries(e.outputs).map(([name, v]) => ({ name, offset: place(v), length: v.length })),
    })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + headerBytes.length) / 4) * 4;
  const out = new Uint8Array(dataStart + offset * 4);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  const data = new Float32Array(out.buffer, dataStart, offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return out;
}

/** The entries of a pack; throws an Error naming what is wrong when the bytes are not one. */
export function decodePack(bytes: Uint8Array): CachedModel[] {
  const bad = (why: string) => new Error(`not a model pack: ${why}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad('it does not start with "UPPACK1"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw bad('its header is cut off');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw bad('its header is not JSON');
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw bad(`its header is malformed (${parsed.error.issues[0]?.message})`);
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  const floats = (bytes.length - dataStart) / 4;
  if (!Number.isInteger(floats) || floats < 0) throw bad('its data is not a whole number of float32 values');
  // Copy once into a buffer of its own (aligned; a Node Buffer's slice would share a larger pool).
  const data = new Float32Array(new Uint8Array(bytes.subarray(dataStart)).buffer);
  const take = (offset: number, length: number, what: string) => {
    if (offset + length > floats) throw bad(`${what} runs past the end of the file`);
    return data.slice(offset, offset + length);
  };
  return parsed.data.entries.map((e) => ({
    key: e.key,
    kind: e.kind,
    description: e.description,
    meta: e.meta,
    createdAt: e.createdAt,
    ...(e.weights
      ? {
          weights: e.weights.map((w) => ({ name: w.name, shape: w.shape, values: take(w.offset, shapeSize(w.shape), `weight ${w.name}`) })),
        }
      : {}),
    outputs: Object.fromEntries(e.outputs.map((o) => [o.name, take(o.offset, o.length, `output ${o.name}`)])),
  }));
}
