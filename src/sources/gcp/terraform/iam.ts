/** google_service_account(_key) and google_project_iam_* (folded into the project's policy). */

import type { Resource } from '../../../model/resource.js';
import { unknownValue } from '../../../model/resource.js';
import type { TerraformBlock, TranslationContext } from '../../terraform/terraform-block.js';
import { foldPolicy, iamDecorators } from './iam-merge.js';
import { tfResource } from './tf-resource.js';
import { bool, compact, knownStr, str } from './values.js';

export const PROJECT_TYPE = 'cloudresourcemanager.googleapis.com/Project';

function emailOf(a: Record<string, unknown>): string | undefined {
  const id = knownStr(a.account_id);
  const project = knownStr(a.project);
  return id && project ? `${id}@${project}.iam.gserviceaccount.com` : undefined;
}

export function translateServiceAccount(b: TerraformBlock): Resource {
  const a = b.attributes;
  const email = emailOf(a);
  const project = knownStr(a.project);
  return tfResource(b, {
    type: 'iam.googleapis.com/ServiceAccount',
    caiId:
      email && project
        ? `//iam.googleapis.com/projects/${project}/serviceAccounts/${email}`
        : undefined,
    name: email ?? a.account_id,
    account: a.project,
    properties: compact({
      email: email ?? unknownValue('service account email is known after apply'),
      displayName: str(a.display_name),
      description: str(a.description),
      disabled: bool(a.disabled, false),
      projectId: str(a.project),
    }),
  });
}

/** A key Terraform creates is always user-managed; its validity window is known after apply. */
export function translateServiceAccountKey(b: TerraformBlock): Resource {
  const a = b.attributes;
  return tfResource(b, {
    type: 'iam.googleapis.com/ServiceAccountKey',
    name: b.name,
    properties: {
      keyAlgorithm: str(a.key_algorithm) ?? 'KEY_ALG_RSA_2048',
      keyOrigin: a.public_key_data !== undefined ? 'USER_PROVIDED' : 'GOOGLE_PROVIDED',
      keyType: 'USER_MANAGED',
      validAfterTime: unknownValue('key creation time is known after apply'),
    },
  });
}

/** One project resource per `project` value of google_project_iam_* blocks (or google_project). */
export function translateProjectIam(ctx: TranslationContext): Resource[] {
  const decorators = iamDecorators(ctx, 'google_project_iam');
  const projects = ctx.blocks.filter((b) => b.mode === 'managed' && b.type === 'google_project');
  const groups = new Map<string, { anchor: TerraformBlock; members: TerraformBlock[] }>();
  for (const p of projects) {
    const id = knownStr(p.attributes.project_id) ?? p.address;
    groups.set(id, { anchor: p, members: [] });
  }
  for (const d of decorators) {
    const project = knownStr(d.attributes.project) ?? owningProject(d, projects) ?? '';
    const group = groups.get(project) ?? { anchor: d, members: [] };
    group.members.push(d);
    groups.set(project, group);
  }
  return [...groups.entries()].map(([project, { anchor, members }]) =>
    tfResource(anchor, {
      type: PROJECT_TYPE,
      caiId:
        project && !project.includes('.')
          ? `//cloudresourcemanager.googleapis.com/projects/${project}`
          : undefined,
      name: project || 'provider project',
      account: project || undefined,
      properties: compact({
        projectId: project || undefined,
        iamPolicy: foldPolicy(ctx, members),
      }),
    }),
  );
}

/** Project id of the google_project a decorator refers to, if any. */
function owningProject(d: TerraformBlock, projects: TerraformBlock[]): string | undefined {
  const p = projects.find((x) => d.references.includes(x.address));
  return p ? (knownStr(p.attributes.project_id) ?? p.address) : undefined;
}
