/**
 * `palisade admission`, `admission certs` and `admission manifest` as command lines: options and
 * their checks only. The webhook, certificate and manifest code loads when a command runs.
 */

import { Command, InvalidArgumentError } from 'commander';
import type { CertsOptions, ManifestOptions, ServeOptions } from './admission-command.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new InvalidArgumentError('expected a port number (0-65535)');
  }
  return n;
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) {
    throw new InvalidArgumentError('expected whole days from 1 to 3650');
  }
  return n;
}

function failurePolicy(value: string): 'Fail' | 'Ignore' {
  if (value !== 'Fail' && value !== 'Ignore') {
    throw new InvalidArgumentError('expected Fail (fail-closed) or Ignore (fail-open)');
  }
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds `admission`, `admission certs` and `admission manifest` to the program. */
export function registerAdmissionCommands(program: Command): void {
  const admission = program
    .command('admission')
    .description('serve the Kubernetes validating admission webhook (AdmissionReview v1, HTTPS)')
    .option('--config <file>', 'admission configuration YAML')
    .option('--host <host>', 'address to listen on (default 0.0.0.0)')
    .option('--port <port>', 'port to listen on (default 8443)', port)
    .option('--cert <file>', 'serving certificate (PEM)')
    .option('--key <file>', 'serving key (PEM)')
    .option(
      '--db <location>',
      'store: SQLite file or PostgreSQL URL (default: config, PALISADE_DB)',
    )
    .option('--policy <path>', 'assignment file or folder (repeatable)', collect, [])
    .option('--failure-policy <policy>', 'Fail (fail-closed) or Ignore (fail-open)', failurePolicy)
    .option('--log-level <level>', 'JSON log level on stderr', 'info')
    .action(async (options: ServeOptions) => {
      const { runAdmissionServe } = await import('./admission-command.js');
      process.exitCode = await runAdmissionServe(options);
    });

  admission
    .command('certs')
    .description('create a CA and a serving certificate for <service>.<namespace>.svc')
    .option('-o, --out <dir>', 'folder for ca.crt, ca.key, tls.crt, tls.key', 'certs')
    .option('--service <name>', 'Kubernetes service name (default: config, palisade-admission)')
    .option('--namespace <name>', 'namespace of the service (default: config, palisade)')
    .option('--config <file>', 'admission configuration YAML')
    .option('--san <name>', 'extra DNS name or IP address (repeatable)', collect, [])
    .option('--days <days>', 'validity of the serving certificate', days, 365)
    .option(
      '--client <name>',
      "sign client.crt (CN=<name>) for the API server with the folder's CA instead",
    )
    .option('--force', 'replace existing files')
    .action(async (options: CertsOptions, command: Command) => {
      // `--config` is also an option of `admission` itself, which takes it first.
      const config = options.config ?? command.optsWithGlobals().config;
      const { runAdmissionCerts } = await import('./admission-command.js');
      process.exitCode = await runAdmissionCerts({ ...options, config });
    });

  admission
    .command('manifest')
    .description('print the ValidatingWebhookConfiguration for kubectl apply')
    .requiredOption('--ca <file>', 'the CA certificate (ca.crt from `admission certs`)')
    .option('--config <file>', 'admission configuration YAML')
    .option('--service <name>', 'Kubernetes service name')
    .option('--namespace <name>', 'namespace of the service')
    .option('--failure-policy <policy>', 'Fail (fail-closed) or Ignore (fail-open)', failurePolicy)
    .option('--rules <dir>', 'add the rules in a folder (repeatable)', collect, [])
    .action(async (options: ManifestOptions, command: Command) => {
      const globals = command.optsWithGlobals();
      const { runAdmissionManifest } = await import('./admission-command.js');
      process.exitCode = await runAdmissionManifest({
        ...options,
        config: options.config ?? globals.config,
        failurePolicy: options.failurePolicy ?? globals.failurePolicy,
      });
    });
}
