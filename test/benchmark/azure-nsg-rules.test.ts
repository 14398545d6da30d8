/**
 * The network security group rules judge inbound internet traffic as Azure does (ascending
 * priority, first match wins, default rules admitting only the virtual network and the load
 * balancer) on the ARM, Terraform and inventory forms, and quote the one offending rule.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { unknownValue, type Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const NSG = 'Microsoft.Network/networkSecurityGroups';
const compiled = compileRules((await loadRules()).filter((r) => r.id.startsWith('azure-nsg-no-')));

interface RuleSpec {
  priority: number;
  access?: 'Allow' | 'Deny';
  protocol?: string;
  source?: string | string[];
  ports?: string | string[];
  destination?: string;
}

/** One security rule in ARM's shape. */
function rule(name: string, spec: RuleSpec): Record<string, unknown> {
  const { source = '*', ports = '*' } = spec;
  return {
    name,
    properties: {
      priority: spec.priority,
      direction: 'Inbound',
      access: spec.access ?? 'Allow',
      protocol: spec.protocol ?? '*',
      sourcePortRange: '*',
      ...(Array.isArray(source)
        ? { sourceAddressPrefixes: source }
        : { sourceAddressPrefix: source }),
      ...(Array.isArray(ports)
        ? { destinationPortRanges: ports }
        : { destinationPortRange: ports }),
      destinationAddressPrefix: spec.destination ?? '*',
    },
  };
}

function nsg(securityRules: unknown[]): Resource {
  return {
    cloud: 'azure',
    type: NSG,
    id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/web',
    name: 'web',
    tags: {},
    properties: { properties: { securityRules } },
    relationships: [],
    source: { kind: 'azure-arm' },
  };
}

/** Each NSG rule's finding on `name`, by rule id. */
function findingsOf(resources: Resource[], name = 'web'): Record<string, Finding> {
  const findings = evaluate(compiled, resources).filter(
    (f) => f.resourceType === NSG && f.resourceName === name,
  );
  return Object.fromEntries(findings.map((f) => [f.ruleId, f]));
}

/** Rule ids failing on `name`, each with the sentence it gave. */
function failures(resources: Resource[], name = 'web'): Record<string, string> {
  const failed = Object.values(findingsOf(resources, name)).filter((f) => f.status === 'fail');
  return Object.fromEntries(failed.map((f) => [f.ruleId, f.message]));
}

describe('Azure NSG rules', () => {
  it('finds UDP open to the internet through a rule allowing every protocol', () => {
    const found = failures([nsg([rule('allow-all', { priority: 100 })])]);
    expect(found['azure-nsg-no-udp-from-internet']).toBe(
      'NSG web allows UDP from the internet (rule "allow-all").',
    );
  });

  it('lets a higher-priority Deny on port 22 shadow a later allow-all for SSH only', () => {
    const found = failures([
      nsg([
        rule('allow-all', { priority: 200 }),
        rule('deny-ssh', { priority: 100, access: 'Deny', ports: '22' }),
      ]),
    ]);
    expect(found['azure-nsg-no-ssh-from-internet']).toBeUndefined();
    expect(found['azure-nsg-no-rdp-from-internet']).toBe(
      'NSG web allows RDP (port 3389) from the internet (rule "allow-all").',
    );
    expect(found['azure-nsg-no-all-ports-from-internet']).toBe(
      'NSG web allows all ports from the internet (rule "allow-all").',
    );
  });

  it('lets a Deny decide only the traffic it matches: its priority, protocol, source and destination', () => {
    const denials: [string, RuleSpec][] = [
      ['later', { priority: 300, access: 'Deny', ports: '22' }],
      ['udp only', { priority: 100, access: 'Deny', protocol: 'Udp', ports: '22' }],
      ['one network', { priority: 100, access: 'Deny', source: '203.0.113.0/24', ports: '22' }],
      ['one host', { priority: 100, access: 'Deny', destination: '10.0.0.4', ports: '22' }],
    ];
    for (const [name, spec] of denials) {
      const found = failures([
        nsg([rule(name, spec), rule('ssh', { priority: 200, ports: '22' })]),
      ]);
      expect(found['azure-nsg-no-ssh-from-internet'], name).toContain('(rule "ssh")');
    }
  });

  it('quotes the first rule opening every port, past allows of some ports, in any spelling', () => {
    const found = failures([
      nsg([
        rule('web', { priority: 100, ports: ['80', '443'] }),
        rule('high', { priority: 150, ports: '1024-65535' }),
        rule('split', { priority: 200, ports: '0-1023, 1024-65535' }),
        rule('allow-all', { priority: 300 }),
      ]),
    ]);
    expect(found['azure-nsg-no-all-ports-from-internet']).toBe(
      'NSG web allows all ports from the internet (rule "split").',
    );
    expect(found['azure-nsg-no-http-from-internet']).toContain('(rule "web")');

    // A Deny of some ports before it leaves an allow-all deciding the rest: still quoted.
    const shadowed = failures([
      nsg([
        rule('deny-low', { priority: 100, access: 'Deny', ports: '0-1023' }),
        rule('allow-all', { priority: 200 }),
      ]),
    ]);
    expect(shadowed['azure-nsg-no-all-ports-from-internet']).toContain('(rule "allow-all")');
    expect(shadowed['azure-nsg-no-ssh-from-internet']).toBeUndefined();

    // Denies that together cover every port decide all of it: the allow-all decides nothing.
    const covered = failures([
      nsg([
        rule('deny-low', { priority: 100, access: 'Deny', ports: '0-1023' }),
        rule('deny-high', { priority: 110, access: 'Deny', ports: ['1024-60000', '60001-65535'] }),
        rule('allow-all', { priority: 200 }),
      ]),
    ]);
    expect(covered).toEqual({});
  });

  it('lets a Deny of every protocol from the Internet tag shadow a later TCP allow', () => {
    const found = failures([
      nsg([
        rule('deny-internet', { priority: 100, access: 'Deny', source: 'Internet' }),
        rule('ssh', { priority: 200, protocol: 'Tcp', ports: '22' }),
      ]),
    ]);
    expect(found).toEqual({});
  });

  it('reads every spelling of the internet and of ports, and no other service tag', () => {
    const open: RuleSpec[] = [
      { priority: 100, source: 'Internet', ports: '22' },
      { priority: 100, source: 'Any', ports: '22' },
      { priority: 100, source: '0.0.0.0/0', ports: '22' },
      { priority: 100, source: ['10.0.0.0/8', '0.0.0.0/0'], ports: '22' },
      { priority: 100, ports: ['80', '20-25'] },
      { priority: 100, ports: '0-65535', protocol: 'TCP' },
    ];
    for (const spec of open) {
      const found = failures([nsg([rule('r', spec)])]);
      expect(found['azure-nsg-no-ssh-from-internet'], JSON.stringify(spec)).toContain('"r"');
    }
    const closed: RuleSpec[] = [
      { priority: 100, source: 'VirtualNetwork' },
      { priority: 100, source: 'AzureLoadBalancer' },
      { priority: 100, source: ['10.0.0.0/8', '192.168.0.0/16'] },
      { priority: 100, ports: '23-3388' },
      { priority: 100, protocol: 'Icmp' },
    ];
    for (const spec of closed) {
      const found = failures([nsg([rule('r', spec)])]);
      expect(found['azure-nsg-no-ssh-from-internet'], JSON.stringify(spec)).toBeUndefined();
    }
  });

  it('judges a group read from IaC with an unknown source in every one of its rules', () => {
    // The rule list is parsed once per list for all six rules, except through the view that
    // watches unknown reads: each rule must still meet the unknown and say it cannot judge.
    const group = nsg([rule('from-var', { priority: 100, source: 'x', ports: '*' })]);
    const first = (group.properties.properties as { securityRules: Record<string, any>[] })
      .securityRules[0];
    first.properties.sourceAddressPrefix = unknownValue('var.allowed_cidr');
    group.source = { kind: 'terraform', file: 'main.tf' };
    const findings = Object.values(findingsOf([group]));
    expect(findings.length).toBe(6);
    for (const f of findings) {
      expect(f.status, f.ruleId).toBe('not_applicable');
      expect(f.message, f.ruleId).toContain('is unknown (var.allowed_cidr)');
    }
    // The same list known: every rule judges it, the parsed list shared among them.
    first.properties.sourceAddressPrefix = '0.0.0.0/0';
    const known = findingsOf([{ ...group, source: { kind: 'azure-arm' } } as Resource]);
    expect(Object.values(known).every((f) => f.status === 'fail')).toBe(true);
  });

  it('reads the default rules as Azure does: the virtual network and load balancer only', () => {
    const defaults = [
      rule('AllowVnetInBound', { priority: 65000, source: 'VirtualNetwork' }),
      rule('AllowAzureLoadBalancerInBound', { priority: 65001, source: 'AzureLoadBalancer' }),
      rule('DenyAllInBound', { priority: 65500, access: 'Deny' }),
    ];
    expect(failures([nsg(defaults)])).toEqual({});
  });

  it('quotes the first open database port rule, past a Deny on another database port', () => {
    const found = failures([
      nsg([
        rule('deny-sql', { priority: 100, access: 'Deny', protocol: 'Tcp', ports: '1433' }),
        rule('sql', { priority: 200, protocol: 'Tcp', ports: '1433' }),
        rule('postgres', { priority: 300, protocol: 'Tcp', ports: '5432' }),
      ]),
    ]);
    expect(found['azure-nsg-no-database-ports-from-internet']).toBe(
      'NSG web exposes a database port to the internet (rule "postgres").',
    );
  });

  it('quotes only the offending rule of TerraGoat’s NSG', async () => {
    const { resources } = await readPaths([shared('iac/terragoat/terraform/azure')]);
    const found = failures(resources, 'terragoat-dev');
    expect(found['azure-nsg-no-ssh-from-internet']).toBe(
      'NSG terragoat-dev allows SSH (port 22) from the internet (rule "AllowSSH").',
    );
    expect(found['azure-nsg-no-rdp-from-internet']).toBe(
      'NSG terragoat-dev allows RDP (port 3389) from the internet (rule "AllowRDP").',
    );
  });

  it('finds UDP open on recorded inventory NSGs whose rules allow every protocol', async () => {
    const file = shared(
      'cloud-inventory/azure/cloud-custodian-cassettes/NetworkSecurityGroupTest.test_find_by_name.json',
    );
    const { resources } = await readPaths([file]);
    expect(failures(resources, 'c7n-nsg')).toEqual({
      'azure-nsg-no-http-from-internet':
        'NSG c7n-nsg allows HTTP (port 80) from the internet (rule "test1").',
      'azure-nsg-no-udp-from-internet': 'NSG c7n-nsg allows UDP from the internet (rule "test1").',
    });
    expect(failures(resources, 'k8s-master-C02B7042-nsg')).toEqual({
      'azure-nsg-no-ssh-from-internet':
        'NSG k8s-master-C02B7042-nsg allows SSH (port 22) from the internet (rule "allow_ssh").',
    });
  });

  describe('on Terraform', () => {
    const dirs: string[] = [];
    afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

    it('weighs inline rules and azurerm_network_security_rule resources together by priority', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'palisade-nsg-'));
      dirs.push(dir);
      await writeFile(
        join(dir, 'main.tf'),
        `resource "azurerm_network_security_group" "web" {
  name                = "web"
  location            = "westeurope"
  resource_group_name = "rg"

  security_rule {
    name                       = "allow-all"
    priority                   = 200
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "*"
    source_address_prefix      = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    destination_address_prefix = "*"
  }
}

resource "azurerm_network_security_rule" "deny_rdp" {
  name                        = "deny-rdp"
  resource_group_name         = "rg"
  network_security_group_name = azurerm_network_security_group.web.name
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "Tcp"
  source_address_prefix       = "Internet"
  source_port_range           = "*"
  destination_port_ranges     = ["3389", "5985-5986"]
  destination_address_prefix  = "*"
}
`,
      );
      const { resources } = await readPaths([dir]);
      const found = failures(resources);
      expect(found['azure-nsg-no-rdp-from-internet']).toBeUndefined();
      expect(found['azure-nsg-no-ssh-from-internet']).toBe(
        'NSG web allows SSH (port 22) from the internet (rule "allow-all").',
      );
    });
  });
});
