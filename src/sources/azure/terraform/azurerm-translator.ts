/**
 * Translates evaluated azurerm_* Terraform blocks into canonical Azure resources in the ARM GET
 * shape, folding child resources (firewall rules, NSG rules, secrets) under their parents.
 */

import type { Resource } from '../../../model/resource.js';
import type {
  TerraformBlock,
  TerraformTranslator,
  TranslationContext,
} from '../../terraform/terraform-block.js';
import { normaliseLocation, tagsOf } from '../arm-resource.js';
import { attachChild, CHILD_KINDS } from '../child-resources.js';
import { appServiceMappers } from './app-service.js';
import { computeMappers } from './compute.js';
import { cosmosDbMappers } from './cosmos-db.js';
import { keyVaultMappers } from './key-vault.js';
import { kubernetesMappers } from './kubernetes-cluster.js';
import type { BlockMapper, MappedBlock } from './mapped-block.js';
import { networkMappers } from './network.js';
import { openSourceDatabaseMappers } from './open-source-databases.js';
import { sqlMappers } from './sql.js';
import { storageMappers } from './storage.js';
import { subscriptionMappers } from './subscription-settings.js';
import { extractUnknowns, literal, prune, type Attrs } from './tf-values.js';

const MAPPERS: Record<string, BlockMapper> = {
  ...storageMappers,
  ...computeMappers,
  ...networkMappers,
  ...keyVaultMappers,
  ...sqlMappers,
  ...openSourceDatabaseMappers,
  ...appServiceMappers,
  ...kubernetesMappers,
  ...cosmosDbMappers,
  ...subscriptionMappers,
};

/** Terraform types this translator understands. */
export const TRANSLATED_TYPES = Object.keys(MAPPERS);

interface Translated {
  block: TerraformBlock;
  mapped: MappedBlock;
  resource?: Resource;
}

const withoutIndex = (address: string) => address.replace(/\[[^\]]*\]/g, '');

/** True when `block` refers to `candidate` (by reference, or by a literal name attribute). */
function refersTo(block: TerraformBlock, candidate: TerraformBlock, attributes: string[]): boolean {
  const target = withoutIndex(candidate.address);
  const byReference = block.references.some((ref) => {
    const r = withoutIndex(ref);
    return r === target || target === `${block.module ? `${block.module}.` : ''}${r}`;
  });
  if (byReference) return true;
  const name = literal(candidate.attributes.name);
  return (
    name !== undefined &&
    attributes.some((attr) => {
      const value = literal(block.attributes[attr]);
      return value !== undefined && (value === name || value.endsWith(`/${name}`));
    })
  );
}

function findParent(item: Translated, all: Translated[]): Translated | undefined {
  const spec = item.mapped.parent;
  if (!spec) return undefined;
  return all.find(
    (other) =>
      other !== item &&
      other.resource !== undefined &&
      spec.types.includes(other.block.type) &&
      other.block.module === item.block.module &&
      refersTo(item.block, other.block, spec.attributes),
  );
}

function armId(mapped: MappedBlock, a: Attrs, name: string | undefined): string | undefined {
  if (!name) return undefined;
  if (mapped.type === 'Microsoft.Resources/resourceGroups')
    return `/subscriptions/{subscription}/resourceGroups/${name}`;
  if (mapped.subscriptionScope)
    return `/subscriptions/{subscription}/providers/${mapped.type}/${name}`;
  const group = literal(a.resource_group_name) ?? '{resourceGroup}';
  return `/subscriptions/{subscription}/resourceGroups/${group}/providers/${mapped.type}/${name}`;
}

function toResource(block: TerraformBlock, mapped: MappedBlock): Resource {
  const a = block.attributes;
  const armName = literal(a.name) ?? mapped.fixedName;
  const id = mapped.parent ? block.address : (armId(mapped, a, armName) ?? block.address);
  const location = normaliseLocation(a.location);
  const body = prune({
    id,
    name: a.name ?? mapped.fixedName,
    type: mapped.type,
    location: location ?? a.location,
    tags: a.tags,
    ...mapped.body,
  }) as Attrs;
  body.properties ??= {};
  if (CHILD_KINDS[mapped.type] && !('children' in body)) body.children = {};

  const resource: Resource = {
    cloud: 'azure',
    type: mapped.type,
    id,
    name: armName ?? block.name,
    tags: tagsOf(a.tags),
    properties: body,
    relationships: block.references.map((target) => ({ kind: 'references', target })),
    source: { kind: 'terraform', file: block.file, line: block.line, address: block.address },
  };
  if (location) resource.region = location;
  if (block.suppressions?.length) resource.suppressions = block.suppressions;
  return resource;
}

/** Translates every azurerm_* managed block of a configuration. */
export function translateAzurerm(ctx: TranslationContext): Resource[] {
  const items: Translated[] = [];
  for (const block of ctx.blocks) {
    if (block.mode !== 'managed') continue;
    const mapper = Object.hasOwn(MAPPERS, block.type) ? MAPPERS[block.type] : undefined;
    const mapped = mapper?.(block.attributes, block);
    if (!mapped) continue;
    items.push({
      block,
      mapped,
      resource: mapped.decorate ? undefined : toResource(block, mapped),
    });
  }

  for (const item of items) {
    const parent = findParent(item, items);
    if (!parent?.resource) continue;
    if (item.mapped.decorate) {
      const body = parent.resource.properties;
      item.mapped.decorate(body);
      const pruned = prune(body) as Attrs;
      pruned.properties ??= {};
      if ('children' in body) pruned.children = body.children;
      parent.resource.properties = pruned;
      continue;
    }
    const child = item.resource!;
    const kind = item.mapped.childKind ?? item.mapped.type.split('/').pop()!;
    if (
      literal(parent.resource.id)?.startsWith('/subscriptions/') &&
      literal(item.block.attributes.name)
    ) {
      child.id = `${parent.resource.id}/${kind}/${child.name}`;
      child.properties.id = child.id;
    }
    child.account = parent.resource.account;
    attachChild(parent.resource, kind, structuredClone(child.properties));
  }

  const resources = items.flatMap((i) => (i.resource ? [i.resource] : []));
  for (const resource of resources) {
    const unknown = extractUnknowns(resource.properties);
    if (unknown.length) resource.unknown = unknown;
  }
  return resources;
}

/** The azurerm_ translator the Terraform readers call. */
export const azurermTranslator: TerraformTranslator = {
  prefix: 'azurerm_',
  translate: translateAzurerm,
};
