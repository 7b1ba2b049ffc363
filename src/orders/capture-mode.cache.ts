// Each merchant's capture mode, read once per change instead of on every approval.
import { makeTableCache } from '../storage/table-cache.ts';
import { captureModeOf } from './orders.repository.ts';

export const captureModes = { of: makeTableCache('merchants', captureModeOf).get };
