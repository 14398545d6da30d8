/** What a per-service mapper makes of one azurerm_* block: its ARM type, body and parent. */

import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { Attrs } from './tf-values.js';

export interface MappedBlock {
  /** ARM type in documented casing. */
  type: string;
  /** ARM body parts (`sku`, `kind`, `identity`, `properties`); id, name, type, location, tags follow. */
  body: Attrs;
  /** Name for resources whose Terraform block has no `name` (`default`, `VirtualMachines`). */
  fixedName?: string;
  /** Subscription-level resources get `/subscriptions/{subscription}/providers/...` ids. */
  subscriptionScope?: boolean;
  /** The Terraform block types that can be this one's parent, and the attributes that name it. */
  parent?: { types: string[]; attributes: string[] };
  /** Key under the parent's `children` (default: the last segment of `type`). */
  childKind?: string;
  /** A block that only decorates its parent (`azurerm_storage_account_network_rules`). */
  decorate?: (parentBody: Attrs) => void;
}

export type BlockMapper = (attributes: Attrs, block: TerraformBlock) => MappedBlock | undefined;
