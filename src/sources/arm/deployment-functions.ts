/**
 * Template functions that describe the deployment rather than compute a value: resource ids,
 * the resource group and subscription, `reference()` and `list*()`. What only Azure knows at
 * deploy time comes back as an unknown marker (or a `{placeholder}` when building names).
 */

import { isUnknown, UNKNOWN_KEY, type UnknownValue } from '../../model/resource.js';
import { ArmEvalError, describeType, type JsonObject } from './arm-values.js';
import { armId, resourceGroupId } from './resource-types.js';

/** What a deployment function may ask of the evaluator. */
export interface DeploymentCall {
  /** An unknown marker, or its `{placeholder}` text while names are being built. */
  unknown(reason: string): unknown;
  /** Records that the resource being read refers to `target` (reference(), list*()). */
  reference(target: string): void;
}

/** `{name}` text that stands for an unknown value inside a name or an id. */
export function placeholder(reason: string): string {
  const parameter = /^parameters\('([^']*)'\)$/i.exec(reason);
  if (parameter) return `{${parameter[1]}}`;
  if (/^subscription\(\)\.subscriptionId$/i.test(reason)) return '{subscription}';
  if (/^resourceGroup\(\)\.name$/i.test(reason)) return '{resourceGroup}';
  return `{${reason}}`;
}

/** A name segment: strings as they are, unknowns as their placeholder. */
function segment(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (isUnknown(value)) return placeholder((value as UnknownValue)[UNKNOWN_KEY]);
  if (typeof value === 'number') return String(value);
  throw new ArmEvalError(`${fn}() expects strings, got ${describeType(value)}`);
}

function isTypeArgument(value: string): boolean {
  const [namespace, type] = value.split('/');
  return Boolean(namespace?.includes('.') && type);
}

/**
 * `resourceId([subscriptionId], [resourceGroupName], type, name1, name2...)` as an ARM id with
 * `{subscription}` / `{resourceGroup}` placeholders for the deployment's own scope.
 */
function resourceId(args: unknown[], fn: string): string {
  const parts = args.map((arg) => segment(arg, fn));
  const typeAt = parts.findIndex(isTypeArgument);
  if (typeAt < 0 || typeAt > 2) throw new ArmEvalError(`${fn}() needs a resource type`);

  const names = parts
    .slice(typeAt + 1)
    .flatMap((name) => name.split('/'))
    .filter(Boolean);
  const type = parts[typeAt];
  if (fn === 'subscriptionResourceId') {
    return armId(type, names, `/subscriptions/${typeAt > 0 ? parts[0] : '{subscription}'}`);
  }
  if (fn === 'tenantResourceId') return armId(type, names, '');
  if (typeAt === 2) return armId(type, names, resourceGroupId(parts[0], parts[1]));
  if (typeAt === 1) return armId(type, names, resourceGroupId(undefined, parts[0]));
  return armId(type, names);
}

function extensionResourceId(args: unknown[]): string {
  const [scope, ...rest] = args.map((arg) => segment(arg, 'extensionResourceId'));
  if (!scope || rest.length < 2)
    throw new ArmEvalError('extensionResourceId() needs scope and type');
  const [type, ...names] = rest;
  return armId(
    type,
    names.flatMap((name) => name.split('/')),
    scope.replace(/\/$/, ''),
  );
}

function resourceGroup(call: DeploymentCall): JsonObject {
  return {
    id: resourceGroupId(),
    name: call.unknown('resourceGroup().name'),
    type: 'Microsoft.Resources/resourceGroups',
    location: call.unknown('resourceGroup().location'),
    tags: call.unknown('resourceGroup().tags'),
    properties: { provisioningState: 'Succeeded' },
  };
}

function subscription(call: DeploymentCall): JsonObject {
  return {
    id: '/subscriptions/{subscription}',
    subscriptionId: call.unknown('subscription().subscriptionId'),
    tenantId: call.unknown('subscription().tenantId'),
    displayName: call.unknown('subscription().displayName'),
  };
}

/**
 * Evaluates a deployment function by lower-case name; `undefined` when `name` is not one.
 * Arguments may hold unknown markers.
 */
export function callDeploymentFunction(
  name: string,
  args: unknown[],
  call: DeploymentCall,
): { value: unknown } | undefined {
  switch (name) {
    case 'resourceid':
      return { value: resourceId(args, 'resourceId') };
    case 'subscriptionresourceid':
      return { value: resourceId(args, 'subscriptionResourceId') };
    case 'tenantresourceid':
      return { value: resourceId(args, 'tenantResourceId') };
    case 'extensionresourceid':
      return { value: extensionResourceId(args) };
    case 'resourcegroup':
      return { value: resourceGroup(call) };
    case 'subscription':
      return { value: subscription(call) };
    case 'tenant':
      return { value: { tenantId: call.unknown('tenant().tenantId') } };
    case 'deployment':
      return {
        value: {
          name: call.unknown('deployment().name'),
          properties: call.unknown('deployment().properties'),
        },
      };
    case 'environment':
      return { value: call.unknown('environment()') };
    case 'managementgroup':
      return { value: call.unknown('managementGroup()') };
    case 'utcnow':
      return { value: call.unknown('utcNow()') };
    case 'newguid':
      return { value: call.unknown('newGuid()') };
    case 'datetimeadd':
      return { value: call.unknown('dateTimeAdd()') };
    case 'pickzones':
      return { value: call.unknown('pickZones()') };
    case 'providers':
      return { value: call.unknown('providers()') };
    case 'reference':
      return { value: referenceTo(args, call, 'reference') };
  }
  if (name.startsWith('list')) return { value: referenceTo(args, call, name) };
  return undefined;
}

function referenceTo(args: unknown[], call: DeploymentCall, fn: string): unknown {
  const target = args[0];
  const text = typeof target === 'string' ? target : isUnknown(target) ? segment(target, fn) : '';
  if (text) call.reference(text);
  return call.unknown(`${fn}(${text ? `'${text}'` : ''})`);
}
