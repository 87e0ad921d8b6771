/**
 * Shipped models: packs of trained models (public/packs/, built by `npm run build:packs`) that the runner puts into
 * the model cache when it needs a model it has not cached. Lazy: the manifest is read on the first miss, and a pack
 * file only when it holds a wanted key. Each file is checked against the manifest's SHA-256 before use; a file that
 * fails is reported and its models are trained here instead.
 */
import { z } from 'zod';
import { sha256Hex } from '../cache/key';
import type { CachedModel, ModelCache } from '../cache/types';
import { decodePack } from './packFile';

export const PACK_FORMAT = 'unlearning-playground packs v1';

const manifestSchema = z.object({
  format: z.literal(PACK_FORMAT),
  /** The backend the packed models were trained with: their cache keys name it. */
  backend: z.string(),
  /** The hash of each preset's and lesson's models-only spec the packs were built for. */
  specs: z.array(z.object({ id: z.string(), specHash: z.string() })),
  files: z.array(
    z.object({
      file: z.string().regex(/^[\w.-]+\.bin$/),
      builtFor: z.string(),
      bytes: z.int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      keys: z.array(z.string()),
    }),
  ),
});
export type PackManifest = z.infer<typeof manifestSchema>;

export function parseManifest(json: unknown): PackManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new Error(`the packs' manifest is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export interface PackLoader {
  /** The manifest's JSON, or undefined when this build ships no packs. */
  manifest(): Promise<unknown>;
  /** The bytes of a pack file; `sha256` (what the manifest expects) lets caches tell its versions apart. */
  file(name: string, sha256: string): Promise<Uint8Array<ArrayBuffer>>;
}

export interface PackSource {
  /** The backend the packed models were trained with, or undefined when there are no packs. */
  backend(): Promise<string | undefined>;
  /**
   * The packed model with this key, after putting its whole file into `cache` (best effort: a full cache only
   * means the next run fetches again); undefined when no usable pack holds it.
   */
  take(key: string, cache: ModelCache): Promise<CachedModel | undefined>;
  /** Problems to report with the result (a missing manifest is not one: a build may ship none). */
  readonly problems: string[];
}

export function createPackSource(loader: PackLoader): PackSource {
  const problems: string[] = [];
  let manifest: Promise<PackManifest | undefined> | undefined;
  const files = new Map<string, Promise<Map<string, CachedModel> | undefined>>();

  const readManifest = () =>
    (manifest ??= (async () => {
      try {
        const json = await loader.manifest();
        return json === undefined ? undefined : parseManifest(json);
      } catch (e) {
        problems.push(`shipped models unavailable: ${e instanceof Error ? e.message : String(e)}; models are trained here`);
        return undefined;
      }
    })());

  const openFile = (entry: PackManifest['files'][number], cache: ModelCache) => {
    let opened = files.get(entry.file);
    if (!opened) {
      opened = (async () => {
        try {
          const bytes = await loader.file(entry.file, entry.sha256);
          const digest = await sha256Hex(bytes);
          if (bytes.length !== entry.bytes || digest !== entry.sha256) {
            throw new Error(
              `it is ${bytes.length} bytes with SHA-256 ${digest.slice(0, 12)}…, the manifest says ${entry.bytes} bytes, ${entry.sha256.slice(0, 12)}…`,
            );
          }
          const models = new Map<string, CachedModel>();
          for (const m of decodePack(bytes)) {
            const model = { ...m, meta: { ...m.meta, pack: entry.file } };
            models.set(model.key, model);
            await cache.put(model).catch(() => undefined);
          }
          return models;
        } catch (e) {
          problems.push(`pack ${entry.file} was not used (${e instanceof Error ? e.message : String(e)}); its models are trained here`);
          return undefined;
        }
      })();
      files.set(entry.file, opened);
    }
    return opened;
  };

  return {
    problems,
    backend: async () => (await readManifest())?.backend,
    async take(key, cache) {
      const m = await readManifest();
      const entry = m?.files.find((f) => f.keys.includes(key));
      if (!entry) return undefined;
      return (await openFile(entry, cache))?.get(key);
    },
  };
}
