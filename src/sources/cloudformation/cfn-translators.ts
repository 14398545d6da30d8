/**
 * Which translation each CloudFormation type gets, and which property names the resource. Types
 * not listed keep their Properties as written.
 */

import { translateS3Bucket } from './cfn-translate-s3.js';
import {
  translateFlowLog,
  translateInstance,
  translateNetworkAcl,
  translateSecurityGroup,
  translateSubnet,
  translateVolume,
  translateVpc,
} from './cfn-translate-ec2.js';
import {
  translateAccessKey,
  translateGroup,
  translateManagedPolicy,
  translateRole,
  translateUser,
} from './cfn-translate-iam.js';
import {
  translateClassicLoadBalancer,
  translateDbCluster,
  translateDbInstance,
  translateDynamoTable,
  translateEcrRepository,
  translateEksCluster,
  translateFileSystem,
  translateKmsKey,
  translateLambda,
  translateListener,
  translateLoadBalancerV2,
  translateLogGroup,
  translateQueue,
  translateReplicationGroup,
  translateTopic,
  translateTrail,
} from './cfn-translate-services.js';
import type { Props } from './cfn-values.js';

export interface TypeTranslation {
  translate: (p: Props) => Props;
  /** Property of the translated shape holding the resource's name. */
  nameKey?: string;
}

export const TRANSLATIONS: Record<string, TypeTranslation> = {
  'AWS::S3::Bucket': { translate: translateS3Bucket, nameKey: 'Name' },
  'AWS::EC2::SecurityGroup': { translate: translateSecurityGroup, nameKey: 'GroupName' },
  'AWS::EC2::Instance': { translate: translateInstance },
  'AWS::EC2::Volume': { translate: translateVolume },
  'AWS::EC2::VPC': { translate: translateVpc },
  'AWS::EC2::FlowLog': { translate: translateFlowLog },
  'AWS::EC2::Subnet': { translate: translateSubnet },
  'AWS::EC2::NetworkAcl': { translate: translateNetworkAcl },
  'AWS::RDS::DBInstance': { translate: translateDbInstance, nameKey: 'DBInstanceIdentifier' },
  'AWS::RDS::DBCluster': { translate: translateDbCluster, nameKey: 'DBClusterIdentifier' },
  'AWS::CloudTrail::Trail': { translate: translateTrail, nameKey: 'Name' },
  'AWS::KMS::Key': { translate: translateKmsKey },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    translate: translateLoadBalancerV2,
    nameKey: 'LoadBalancerName',
  },
  'AWS::ElasticLoadBalancingV2::Listener': { translate: translateListener },
  'AWS::ElasticLoadBalancing::LoadBalancer': {
    translate: translateClassicLoadBalancer,
    nameKey: 'LoadBalancerName',
  },
  'AWS::Lambda::Function': { translate: translateLambda, nameKey: 'FunctionName' },
  'AWS::EKS::Cluster': { translate: translateEksCluster, nameKey: 'name' },
  'AWS::IAM::Role': { translate: translateRole, nameKey: 'RoleName' },
  'AWS::IAM::User': { translate: translateUser, nameKey: 'UserName' },
  'AWS::IAM::Group': { translate: translateGroup, nameKey: 'GroupName' },
  'AWS::IAM::ManagedPolicy': { translate: translateManagedPolicy, nameKey: 'PolicyName' },
  'AWS::IAM::Policy': { translate: translateManagedPolicy, nameKey: 'PolicyName' },
  'AWS::IAM::AccessKey': { translate: translateAccessKey },
  'AWS::DynamoDB::Table': { translate: translateDynamoTable, nameKey: 'TableName' },
  'AWS::SQS::Queue': { translate: translateQueue, nameKey: 'QueueName' },
  'AWS::SNS::Topic': { translate: translateTopic, nameKey: 'TopicName' },
  'AWS::EFS::FileSystem': { translate: translateFileSystem },
  'AWS::ElastiCache::ReplicationGroup': {
    translate: translateReplicationGroup,
    nameKey: 'ReplicationGroupId',
  },
  'AWS::Logs::LogGroup': { translate: translateLogGroup, nameKey: 'logGroupName' },
  'AWS::ECR::Repository': { translate: translateEcrRepository, nameKey: 'repositoryName' },
};

/**
 * The canonical type a CloudFormation type is emitted as. CloudFormation's inline
 * AWS::IAM::Policy and its managed policy both read as IAM's managed-policy shape.
 */
export function canonicalType(type: string): string {
  return type === 'AWS::IAM::ManagedPolicy' ? 'AWS::IAM::Policy' : type;
}
