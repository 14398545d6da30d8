import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTSIDE, readPaths } from '../../src/sources/read-paths.js';

const configMap = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`;

const root = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-walk-root-')));
const outside = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-walk-outside-')));
const allow = (real: string) => real === root || real.startsWith(root + sep);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('readPaths with allow', () => {
  it('does not read a file swapped for a link to outside after the folder was walked', async () => {
    writeFileSync(join(outside, 'elsewhere.yaml'), configMap('elsewhere'));
    const file = join(root, 'swapped.yaml');
    writeFileSync(file, configMap('here'));

    const read = await readPaths([root], {
      allow,
      // Called just before each file is read: the walk has already accepted it.
      onProgress: ({ file: next }) => {
        if (next !== file) return;
        rmSync(file);
        symlinkSync(join(outside, 'elsewhere.yaml'), file);
      },
    });

    expect(read.resources.map((r) => r.name)).not.toContain('elsewhere');
    const errored = read.files.find((f) => f.error);
    expect(errored?.error?.message).toBe(`${relative(process.cwd(), file)}: ${OUTSIDE}`);
  });

  it('follows links anywhere when no filter is given', async () => {
    const dir = mkdtempSync(join(root, 'open-'));
    symlinkSync(outside, join(dir, 'out'));
    const read = await readPaths([dir]);
    expect(read.resources.map((r) => r.name)).toContain('elsewhere');
  });

  it('gives Terraform file() no text from outside the allowed folders', async () => {
    // Terraform's file() may read the parent of the scanned folder, here outside the allowed one.
    writeFileSync(join(root, 'name.txt'), 'read-from-outside');
    const dir = mkdtempSync(join(root, 'tf-'));
    writeFileSync(
      join(dir, 'main.tf'),
      `resource "aws_s3_bucket" "b" {\n  bucket = file("../name.txt")\n}\n`,
    );
    const contained = realpathSync(dir);
    const onlyDir = (real: string) => real === contained || real.startsWith(contained + sep);

    const open = await readPaths([dir]);
    const closed = await readPaths([dir], { allow: onlyDir });

    expect(JSON.stringify(open.resources)).toContain('read-from-outside');
    expect(closed.resources).toHaveLength(1);
    expect(JSON.stringify(closed.resources)).not.toContain('read-from-outside');
    expect(JSON.stringify(closed.resources)).toContain('outside the folders this source may read');
  });

  it('gives an ARM template no parameters file linked from outside', async () => {
    const dir = mkdtempSync(join(root, 'arm-'));
    const schema = 'https://schema.management.azure.com/schemas/2019-04-01';
    const template = {
      $schema: `${schema}/deploymentTemplate.json#`,
      contentVersion: '1.0.0.0',
      parameters: { accountName: { type: 'string', defaultValue: 'insidedefault' } },
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2022-09-01',
          name: "[parameters('accountName')]",
          location: 'westeurope',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          properties: {},
        },
      ],
    };
    const parameters = {
      $schema: `${schema}/deploymentParameters.json#`,
      contentVersion: '1.0.0.0',
      parameters: { accountName: { value: 'fromoutside' } },
    };
    writeFileSync(join(dir, 'azuredeploy.json'), JSON.stringify(template));
    writeFileSync(join(outside, 'params.json'), JSON.stringify(parameters));
    symlinkSync(join(outside, 'params.json'), join(dir, 'azuredeploy.parameters.json'));
    const contained = realpathSync(dir);
    const onlyDir = (real: string) => real === contained || real.startsWith(contained + sep);
    const templateFile = join(dir, 'azuredeploy.json');

    const open = await readPaths([templateFile]);
    const closed = await readPaths([dir], { allow: onlyDir });

    expect(open.resources.map((r) => r.name)).toEqual(['fromoutside']);
    expect(closed.resources.map((r) => r.name)).toEqual(['insidedefault']);
    expect(closed.files.filter((f) => f.error).map((f) => f.error?.message)).toEqual([
      `${relative(process.cwd(), join(dir, 'azuredeploy.parameters.json'))}: ${OUTSIDE}`,
    ]);
  });
});
