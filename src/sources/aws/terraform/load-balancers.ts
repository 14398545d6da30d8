/**
 * Load balancers: `aws_lb` / `aws_alb` (+ listeners) into DescribeLoadBalancers items with the
 * `Attributes` map and `Listeners`, and classic `aws_elb` into a LoadBalancerDescriptions item.
 */

import { isUnknown, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import {
  block,
  bool,
  boolText,
  compact,
  mapBlocks,
  mapList,
  num,
  present,
  str,
  type Attrs,
} from './tf-values.js';

/** Translates one application / network / gateway load balancer. */
export function loadBalancerV2(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const type = str(a.load_balancer_type, 'application');
  const internal = bool(a.internal, false);
  const logs = block(a.access_logs);
  const logsEnabled = logs ? bool(logs.enabled, present(logs.bucket)) : false;

  const listeners = ['aws_lb_listener', 'aws_alb_listener']
    .flatMap((t) => ctx.owned(t, b, 'load_balancer_arn'))
    .map((l) => listener(l.attributes, type));

  const properties = compact({
    LoadBalancerName: a.name,
    Scheme: isUnknown(internal) ? internal : internal ? 'internal' : 'internet-facing',
    Type: type,
    IpAddressType: str(a.ip_address_type, 'ipv4'),
    SecurityGroups: a.security_groups,
    Attributes: compact({
      'access_logs.s3.enabled': boolText(logsEnabled),
      'access_logs.s3.bucket': logs ? str(logs.bucket, '') : '',
      'deletion_protection.enabled': boolText(bool(a.enable_deletion_protection, false)),
      'routing.http.drop_invalid_header_fields.enabled':
        type === 'application' ? boolText(bool(a.drop_invalid_header_fields, false)) : undefined,
      'load_balancing.cross_zone.enabled':
        type === 'application' ? 'true' : boolText(bool(a.enable_cross_zone_load_balancing, false)),
    }),
    Listeners: listeners,
  });
  return toResource(b, {
    type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    properties,
    name: a.name,
  });
}

function listener(l: Attrs, lbType: unknown): Attrs {
  const defaultProtocol = lbType === 'network' ? 'TCP' : 'HTTP';
  return compact({
    Protocol: str(l.protocol, defaultProtocol),
    Port: num(l.port),
    SslPolicy: l.ssl_policy,
    Certificates:
      l.certificate_arn === undefined ? undefined : [{ CertificateArn: l.certificate_arn }],
    DefaultActions: mapBlocks(l.default_action, (d) => {
      const redirect = block(d.redirect);
      return compact({
        Type: d.type,
        RedirectConfig: redirect
          ? compact({
              Protocol: str(redirect.protocol, '#{protocol}'),
              Port: str(redirect.port, '#{port}'),
              StatusCode: redirect.status_code,
            })
          : undefined,
      });
    }),
  });
}

/** Translates one classic load balancer with its LoadBalancerAttributes. */
export function classicLoadBalancer(b: TerraformBlock, _ctx: AwsContext): Resource {
  const a = b.attributes;
  const internal = bool(a.internal, false);
  const logs = block(a.access_logs);
  const properties = compact({
    LoadBalancerName: a.name,
    Scheme: isUnknown(internal) ? internal : internal ? 'internal' : 'internet-facing',
    SecurityGroups: a.security_groups,
    Subnets: a.subnets,
    ListenerDescriptions: mapBlocks(a.listener, (l) => ({
      Listener: compact({
        Protocol: upper(l.lb_protocol),
        LoadBalancerPort: num(l.lb_port),
        InstanceProtocol: upper(l.instance_protocol),
        InstancePort: num(l.instance_port),
        SSLCertificateId: l.ssl_certificate_id,
      }),
      PolicyNames: [],
    })),
    Instances: mapList(a.instances, (id) => ({ InstanceId: id })),
    Attributes: {
      AccessLog: compact({
        Enabled: logs ? bool(logs.enabled, true) : false,
        S3BucketName: logs?.bucket,
        EmitInterval: logs ? num(logs.interval, 60) : undefined,
      }),
      ConnectionDraining: {
        Enabled: bool(a.connection_draining, false),
        Timeout: num(a.connection_draining_timeout, 300),
      },
      CrossZoneLoadBalancing: { Enabled: bool(a.cross_zone_load_balancing, true) },
      ConnectionSettings: { IdleTimeout: num(a.idle_timeout, 60) },
    },
  });
  return toResource(b, {
    type: 'AWS::ElasticLoadBalancing::LoadBalancer',
    properties,
    name: a.name,
  });
}

function upper(value: unknown): unknown {
  const s = str(value);
  return typeof s === 'string' ? s.toUpperCase() : s;
}
