/**
 * The parts of the OCSF 1.3.0 schema (github.com/ocsf/ocsf-schema: events/base_event.json,
 * events/findings/finding.json, detection_finding.json, compliance_finding.json, the objects
 * metadata, product, finding_info, analytic, compliance, cloud, observable, and the dictionary)
 * the export tests check events against: required attributes per class and object, and the
 * enumerations of the integer `_id` attributes.
 */

/** Attributes every OCSF event must carry (base event, with the classification traits). */
export const BASE_REQUIRED = [
  'activity_id',
  'category_uid',
  'class_uid',
  'type_uid',
  'severity_id',
  'time',
  'metadata',
];

/** Required attributes of each finding class, beyond the base event's. */
export const CLASS_REQUIRED: Record<number, string[]> = {
  2003: ['finding_info', 'compliance'],
  2004: ['finding_info'],
};

export const CLASS_NAME: Record<number, string> = {
  2003: 'Compliance Finding',
  2004: 'Detection Finding',
};

/** Required attributes of the objects the events carry. */
export const OBJECT_REQUIRED: Record<string, string[]> = {
  metadata: ['product', 'version'],
  product: ['vendor_name'],
  finding_info: ['uid'],
  analytic: ['type_id'],
  compliance: ['standards'],
  cloud: ['provider'],
  observable: ['name', 'type_id'],
  account: [],
};

/** Enumerated values (0 Unknown and 99 Other are valid everywhere an enum allows them). */
export const ENUMS: Record<string, Record<number, string>> = {
  activity_id: { 0: 'Unknown', 1: 'Create', 2: 'Update', 3: 'Close', 99: 'Other' },
  category_uid: { 2: 'Findings' },
  severity_id: {
    0: 'Unknown',
    1: 'Informational',
    2: 'Low',
    3: 'Medium',
    4: 'High',
    5: 'Critical',
    6: 'Fatal',
    99: 'Other',
  },
  status_id: {
    0: 'Unknown',
    1: 'New',
    2: 'In Progress',
    3: 'Suppressed',
    4: 'Resolved',
    99: 'Other',
  },
  'compliance.status_id': { 0: 'Unknown', 1: 'Pass', 2: 'Warning', 3: 'Fail', 99: 'Other' },
  'analytic.type_id': {
    0: 'Unknown',
    1: 'Rule',
    2: 'Behavioral',
    3: 'Statistical',
    4: 'Learning (ML/DL)',
    99: 'Other',
  },
  'observable.type_id': {
    0: 'Unknown',
    1: 'Hostname',
    2: 'IP Address',
    3: 'MAC Address',
    4: 'User Name',
    5: 'Email Address',
    6: 'URL String',
    7: 'File Name',
    8: 'Hash',
    9: 'Process Name',
    10: 'Resource UID',
    99: 'Other',
  },
};
