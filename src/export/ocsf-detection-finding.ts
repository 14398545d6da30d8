/** Alerts as OCSF Detection Findings; the format lives with the other export formats. */

export { OCSF_VERSION, toOcsf } from './formats/ocsf-detection-finding.js';
