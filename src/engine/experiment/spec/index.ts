/** The experiment spec: schema and types, readable issues, parsing and hashing, presets. */
export * from './issues';
export * from './parse';
export * from './presets';
export * from './schema';
