import test from 'ava';
import { InmemBackend } from '../../../../src/server/storage/inmem/inmem-backend.ts';
import { registerConformanceTests } from '../conformance.ts';

registerConformanceTests(test, 'inmem', async () => new InmemBackend());
