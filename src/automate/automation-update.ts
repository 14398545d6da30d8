/**
 * Changing a stored automation rule, as an export is changed: only the fields given change
 * (`conditions` and `actions` each as a whole), the result is checked as a new rule is, and an
 * action sent back as the listing shows it keeps its stored secrets.
 */

import { checkChangedFields } from '../export/config-field-checks.js';
import { scopeText } from '../export/exporter-config.js';
import { keepingStoredSecrets } from '../export/exporter-secrets.js';
import type { ServerKey } from '../server/auth/server-key.js';
import {
  automationActions,
  automationView,
  type AutomationRow,
} from '../store/automation-repository.js';
import {
  AutomationConfigError,
  parseAutomationInput,
  type AutomationSettings,
} from './automation-rule.js';

/** The fields an update may name. */
export const AUTOMATION_UPDATE_FIELDS = [
  'name',
  'enabled',
  'triggers',
  'conditions',
  'actions',
] as const;

const fault = (field: string, message: string) => new AutomationConfigError(field, message);

/**
 * `given` actions with the secrets a listing hides taken from the stored action at the same
 * place; anything not shaped as an action is left for the rule check to name.
 */
function actionsKeepingSecrets(
  given: unknown,
  stored: readonly { sink: Record<string, unknown> }[],
): unknown {
  if (!Array.isArray(given)) return given;
  return given.map((action: unknown, i) => {
    const sink = (action as { sink?: unknown } | null)?.sink;
    if (typeof sink !== 'object' || sink === null || Array.isArray(sink)) return action;
    return {
      ...(action as object),
      sink: keepingStoredSecrets(sink as Record<string, unknown>, stored[i]?.sink ?? {}, (f, m) =>
        fault(`actions[${i}].sink.${f}`, m),
      ),
    };
  });
}

/**
 * The settings `row` has once `patch` is applied, checked as new input. Throws
 * `AutomationConfigError` naming the field at fault.
 *
 * ```ts
 * updatedAutomationSettings(row, key, { enabled: false }); // paused, all else as it was
 * ```
 */
export function updatedAutomationSettings(
  row: AutomationRow,
  key: ServerKey,
  patch: Record<string, unknown>,
): AutomationSettings {
  checkChangedFields(patch, AUTOMATION_UPDATE_FIELDS, fault);
  const view = automationView(row);
  const stored = automationActions(row, key);
  const { scope, ...conditions } = view.conditions;
  return parseAutomationInput({
    name: view.name,
    enabled: view.enabled,
    triggers: view.triggers,
    conditions: scope ? { ...conditions, scope: scopeText(scope) } : conditions,
    actions: stored,
    ...patch,
    ...(patch.actions !== undefined
      ? { actions: actionsKeepingSecrets(patch.actions, stored) }
      : {}),
  });
}
