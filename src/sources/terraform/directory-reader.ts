/** The Terraform `DirectoryReader`: a folder of `.tf` and `.tf.json` files is one root module. */

import path from 'node:path';
import type { DirectoryReader, DirectoryReadResult } from '../reader.js';
import { evaluateTerraformDirectory } from './evaluate-directory.js';
import { localModuleCalls } from './module-calls.js';
import { CONFIGURATION_FILE } from './module-loader.js';
import type { TerraformTranslator } from './terraform-block.js';
import { translateBlocks } from './translate-blocks.js';

/** The files of a folder the Terraform reader reads itself. */
const TERRAFORM_FILE = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

/**
 * A reader that claims folders holding `.tf` or `.tf.json` files, evaluates the module and its
 * local modules, and returns the resources the translators make of its blocks.
 */
export function createTerraformDirectoryReader(
  translators: TerraformTranslator[],
): DirectoryReader {
  return {
    kind: 'terraform',
    claims: (_dir, files) => files.some((f) => CONFIGURATION_FILE.test(f)),
    owns: (file) => TERRAFORM_FILE.test(file),
    calls: (dir, files, allow) => localModuleCalls(dir, files, allow),
    async readDirectory(dir, files, options): Promise<DirectoryReadResult> {
      const names = files.map((f) => path.basename(f));
      const evaluation = await evaluateTerraformDirectory(dir, {
        files: names,
        allow: options?.allow,
        varFiles: options?.varFiles,
        scanRoot: options?.scanRoot,
      });
      const { resources, warnings } = translateBlocks(evaluation.blocks, translators, dir);
      // Files of local modules count as read here too, so the scan does not read a module
      // folder again as a root of its own with every input unknown.
      const own = files.filter((f) => TERRAFORM_FILE.test(f));
      const consumed = [...new Set([...own, ...evaluation.consumed])];
      return {
        resources,
        errors: evaluation.errors,
        warnings: [...evaluation.warnings, ...warnings],
        consumed,
        inputs: {
          folders: evaluation.inputs.folders.map((f) => path.resolve(f)),
          files: evaluation.inputs.files.map((f) => path.resolve(f)),
        },
      };
    },
  };
}
