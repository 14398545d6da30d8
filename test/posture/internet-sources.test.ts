/**
 * "From the internet" is more than a /0: ranges that together hold every public address
 * (`0.0.0.0/1` with `128.0.0.0/1`), or one range holding more public addresses than a /8, admit
 * the internet too. The AWS security group, Azure NSG and GCP firewall SSH rules all read it so.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ingressText,
  isPublicSource,
  nsgAllowsFromInternet,
  sourcesAreInternet,
} from '../../src/posture/cel-functions.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';

describe('sources that count as the internet', () => {
  it('takes a word for anyone, any /0, and a single range wider than a /8 of public addresses', () => {
    for (const s of [
      '0.0.0.0/0',
      '192.168.1.0/0',
      '::/0',
      '*',
      'Internet',
      '0.0.0.0/1',
      '2000::/3',
    ]) {
      expect(isPublicSource(s), s).toBe(true);
    }
    for (const s of ['10.0.0.0/8', '3.0.0.0/8', '10.0.0.0/7', '172.16.0.0/12', 'fc00::/7', '']) {
      expect(isPublicSource(s), s).toBe(false);
    }
  });

  it('takes ranges that together hold every public address, and no fewer', () => {
    expect(sourcesAreInternet(['0.0.0.0/1', '128.0.0.0/1'])).toBe(true);
    expect(sourcesAreInternet(['::/1', '8000::/1'])).toBe(true);
    // Every /8 but the private 10/8 still holds every public address.
    const allButTen = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`).filter(
      (s) => s !== '10.0.0.0/8',
    );
    expect(sourcesAreInternet(allButTen)).toBe(true);
    expect(sourcesAreInternet(allButTen.filter((s) => s !== '8.0.0.0/8'))).toBe(false);
    expect(sourcesAreInternet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])).toBe(false);
    expect(sourcesAreInternet([])).toBe(false);
  });

  it('names every range of a permission whose ranges together admit the internet', () => {
    const halves = {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/1' }, { CidrIp: '128.0.0.0/1' }, { CidrIp: '10.0.0.0/8' }],
    };
    expect(ingressText(halves)).toBe('tcp 22 from 0.0.0.0/1, 128.0.0.0/1');
  });

  it('lets an NSG Deny shut out the internet only when it covers every public address', () => {
    const rule = (name: string, priority: number, access: string, sources: string[]) => ({
      name,
      properties: {
        priority,
        access,
        direction: 'Inbound',
        protocol: 'Tcp',
        destinationPortRange: '22',
        sourceAddressPrefixes: sources,
        destinationAddressPrefix: '*',
      },
    });
    const halfDeny = [
      rule('deny-half', 100, 'Deny', ['0.0.0.0/1']),
      rule('any', 200, 'Allow', ['*']),
    ];
    expect(nsgAllowsFromInternet(halfDeny, 'tcp', 22)).toBe('any');
    const fullDeny = [
      rule('deny-halves', 100, 'Deny', ['0.0.0.0/1', '128.0.0.0/1']),
      rule('any', 200, 'Allow', ['0.0.0.0/0']),
    ];
    expect(nsgAllowsFromInternet(fullDeny, 'tcp', 22)).toBeNull();
  });
});

const TERRAFORM = `
resource "aws_security_group" "halfopen" {
  name = "halfopen"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "6"
    cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"]
  }
}
resource "aws_security_group" "private" {
  name = "private"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8", "192.168.0.0/16"]
  }
}
resource "google_compute_firewall" "halves" {
  name          = "halves"
  network       = "default"
  source_ranges = ["0.0.0.0/1", "128.0.0.0/1"]
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}
resource "azurerm_network_security_group" "halves" {
  name                = "halves"
  location            = "westeurope"
  resource_group_name = "rg"
  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefixes    = ["0.0.0.0/1", "128.0.0.0/1"]
    destination_address_prefix = "*"
  }
}
`;

describe('SSH rules on ranges that split the internet in halves', () => {
  it('fail the AWS group, the Azure NSG and the GCP firewall rule; pass the private group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-halves-'));
    writeFileSync(join(dir, 'main.tf'), TERRAFORM);
    const ids = [
      'aws-ec2-sg-no-public-ssh',
      'azure-nsg-no-ssh-from-internet',
      'gcp-compute-firewall-ssh-restricted',
    ];
    const rules = (await loadRules()).filter((r) => ids.includes(r.id));
    const { resources } = await readPaths([dir]);
    const findings = evaluate(compileRules(rules), resources);
    const verdicts = Object.fromEntries(
      findings.map((f) => [`${f.ruleId} ${f.resourceName}`, f.status]),
    );
    expect(verdicts).toEqual({
      'aws-ec2-sg-no-public-ssh halfopen': 'fail',
      'aws-ec2-sg-no-public-ssh private': 'pass',
      'azure-nsg-no-ssh-from-internet halves': 'fail',
      'gcp-compute-firewall-ssh-restricted halves': 'fail',
    });
    const aws = findings.find((f) => f.resourceName === 'halfopen');
    expect(aws?.message).toContain('tcp 22 from 0.0.0.0/1, 128.0.0.0/1');
  });
});
