/**
 * Container image references as rules read them (`imageFromAllowedRegistry`): the registry host
 * a runtime pulls from and the repository path, whatever tag, digest or spelling is written.
 */

import { describe, expect, it } from 'vitest';
import { imageFromAllowedRegistry, parseImageReference } from '../../src/posture/cel-functions.js';
import { compileExpression, interpretedProgram } from '../../src/posture/rule-environment.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx'],
    ['nginx:1.25', 'docker.io', 'library/nginx'],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis'],
    ['docker.io/nginx', 'docker.io', 'library/nginx'],
    ['index.docker.io/library/nginx', 'docker.io', 'library/nginx'],
    ['registry-1.docker.io/bitnami/redis', 'docker.io', 'bitnami/redis'],
    ['localhost/app', 'localhost', 'app'],
    ['localhost:5000/team/app:dev', 'localhost:5000', 'team/app'],
    [`host:5000/app@${DIGEST}`, 'host:5000', 'app'],
    [`host:5000/app:1.2@${DIGEST}`, 'host:5000', 'app'],
    ['REGISTRY.EXAMPLE.COM/team/app', 'registry.example.com', 'team/app'],
    ['Team/app', 'team', 'app'],
    ['gcr.io/google_samples/gb-redisslave:v1', 'gcr.io', 'google_samples/gb-redisslave'],
  ])('reads %s as registry %s, repository %s', (image, registry, repository) => {
    expect(parseImageReference(image)).toEqual({ registry, repository });
  });

  it.each([
    '',
    'registry.example.com@attacker.io/x:1',
    'registry.example.com/App:1',
    'registry.example.com/app:',
    'registry example.com/app',
    'app@sha256:short',
    ' nginx',
  ])('refuses the malformed reference %j', (image) => {
    expect(parseImageReference(image)).toBeNull();
  });

  it('gives null for values that are not text', () => {
    expect(parseImageReference(null)).toBeNull();
    expect(parseImageReference(42)).toBeNull();
  });
});

describe('imageFromAllowedRegistry', () => {
  it('allows a registry host written with or without a trailing slash', () => {
    expect(imageFromAllowedRegistry('registry.example.com/x:1', ['registry.example.com'])).toBe(
      true,
    );
    expect(imageFromAllowedRegistry('registry.example.com/x:1', ['registry.example.com/'])).toBe(
      true,
    );
  });

  it('does not allow a longer host that begins with an allowed one', () => {
    const allowed = ['registry.example.com', 'registry.example.com/'];
    expect(imageFromAllowedRegistry('registry.example.com.attacker.io/x:1', allowed)).toBe(false);
    expect(imageFromAllowedRegistry('registry.example.community/x:1', allowed)).toBe(false);
  });

  it('allows Docker Hub images written without a registry through docker.io', () => {
    expect(imageFromAllowedRegistry('nginx:1.25', ['docker.io/'])).toBe(true);
    expect(imageFromAllowedRegistry('nginx:1.25', ['docker.io/library'])).toBe(true);
    expect(imageFromAllowedRegistry('bitnami/redis', ['docker.io/library'])).toBe(false);
  });

  it('reads an entry with a path as an image name: a plain first component is Docker Hub', () => {
    expect(imageFromAllowedRegistry('madhuakula/k8s-goat-health-check', ['madhuakula/'])).toBe(
      true,
    );
    expect(imageFromAllowedRegistry('docker.io/madhuakula/app', ['madhuakula'])).toBe(false);
    expect(imageFromAllowedRegistry('quay.io/madhuakula/app', ['madhuakula/'])).toBe(false);
    expect(imageFromAllowedRegistry('nginx', ['library/'])).toBe(true);
  });

  it('reads a one-component Docker Hub entry as the official image too, as Docker pulls it', () => {
    expect(imageFromAllowedRegistry('nginx:1.27', ['docker.io/nginx'])).toBe(true);
    expect(imageFromAllowedRegistry('docker.io/library/nginx', ['index.docker.io/nginx'])).toBe(
      true,
    );
    expect(imageFromAllowedRegistry('nginx/nginx-ingress:3', ['docker.io/nginx'])).toBe(true);
    // The namespace alone, and nothing beside the one image.
    expect(imageFromAllowedRegistry('nginx:1.27', ['docker.io/nginx/'])).toBe(false);
    expect(imageFromAllowedRegistry('nginx-evil:1', ['docker.io/nginx'])).toBe(false);
    expect(imageFromAllowedRegistry('redis:7', ['docker.io/nginx'])).toBe(false);
    expect(imageFromAllowedRegistry('ghcr.io/library/nginx', ['ghcr.io/nginx'])).toBe(false);
    expect(imageFromAllowedRegistry('nginx', ['docker.io/bitnami/nginx'])).toBe(false);
  });

  it('matches path prefixes on whole components and with case', () => {
    expect(imageFromAllowedRegistry('ghcr.io/acme/app:1', ['ghcr.io/acme'])).toBe(true);
    expect(imageFromAllowedRegistry('ghcr.io/acme', ['ghcr.io/acme/'])).toBe(true);
    expect(imageFromAllowedRegistry('ghcr.io/acme-evil/app:1', ['ghcr.io/acme'])).toBe(false);
    expect(imageFromAllowedRegistry('ghcr.io/acme/app:1', ['ghcr.io/Acme'])).toBe(false);
    expect(imageFromAllowedRegistry('GHCR.io/acme/app:1', ['ghcr.IO/acme'])).toBe(true);
  });

  it('keeps ports apart and is not misled by tags or digests', () => {
    expect(imageFromAllowedRegistry(`host:5000/app@${DIGEST}`, ['host:5000'])).toBe(true);
    expect(imageFromAllowedRegistry(`host:5000/app@${DIGEST}`, ['host'])).toBe(false);
    expect(imageFromAllowedRegistry('host/app:5000', ['host:5000'])).toBe(false);
  });

  it('allows nothing for an empty list, odd entries or a value that is not an image', () => {
    expect(imageFromAllowedRegistry('nginx', [])).toBe(false);
    expect(imageFromAllowedRegistry('nginx', [7, null, '', '/'])).toBe(false);
    expect(imageFromAllowedRegistry(undefined, ['docker.io'])).toBe(false);
  });

  it('runs compiled, with the interpreter’s verdicts', () => {
    const source =
      "r.images.all(i, imageFromAllowedRegistry(i, params.allowed)) && imageFromAllowedRegistry(r.one, ['docker.io'])";
    const program = compileExpression(source);
    const oracle = compileExpression(source, { fastPaths: false });
    expect(interpretedProgram(program)).not.toBe(program);
    const cases = [
      {
        images: ['nginx', 'ghcr.io/acme/app'],
        one: 'nginx',
        allowed: ['docker.io', 'ghcr.io/acme'],
      },
      {
        images: ['registry.example.com.attacker.io/x'],
        one: 'x',
        allowed: ['registry.example.com'],
      },
      { images: [], one: 'quay.io/x', allowed: [] },
    ];
    for (const { images, one, allowed } of cases) {
      const context = { r: { images, one }, params: { allowed }, resource: {}, related: [] };
      expect(program(context)).toBe(oracle(context));
    }
    expect(
      cases.map(({ images, one, allowed }) =>
        program({ r: { images, one }, params: { allowed }, resource: {}, related: [] }),
      ),
    ).toEqual([true, false, false]);
  });
});
