import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { armInventoryReader } from '../../../src/sources/azure/arm-inventory-reader.js';
import { shared } from '../../support/paths.js';

const FILE = shared(
  'cloud-inventory/azure/azure-rest-api-specs-examples/network-2024-05-01-NetworkSecurityGroupGet.json',
);

/** V8's collector, made callable in this worker (vitest starts it without --expose-gc). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A body of the file as read, weakly held once the read's resources are let go. */
function readOnceAndLetGo(): WeakRef<object> {
  // A text of its own: the reader is handed it as a scan hands a large file it claimed by its head.
  const text = `${readFileSync(FILE, 'utf8')} `;
  const { resources } = armInventoryReader.read({ path: FILE, text }) as {
    resources: { properties: object }[];
  };
  expect(resources.length).toBeGreaterThan(0);
  return new WeakRef(resources[0].properties);
}

describe('ARM inventory reading', () => {
  it('keeps nothing of a file it was handed whole once its resources are let go', async () => {
    const gc = collector();
    const body = readOnceAndLetGo();
    // A weakly held object stays alive until the task that made the reference ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(body.deref()).toBeUndefined();
  });
});
