/**
 * Zod building blocks shared by the spec and the method catalog (tf-free: the page imports both).
 */
import { z } from 'zod';

export const MAX_SEED = 2 ** 32 - 1;

export const seed = () => z.int().min(0).max(MAX_SEED);
export const lr = (value: number) => z.number().gt(0).max(10).default(value);
export const epochs = (value: number) => z.int().min(1).max(200).default(value);
export const batchSize = (value: number) => z.int().min(1).max(4096).default(value);
export const momentum = (value = 0.9) => z.number().min(0).lt(1).default(value);
export const weightDecay = (value = 5e-4) => z.number().min(0).lt(1).default(value);
/** Multiplicative learning-rate decay per epoch (1 = constant). */
export const lrDecay = (value: number) => z.number().gt(0).max(1).default(value);
