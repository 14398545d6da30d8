/** Terraform text and scratch folders the Terraform reader's tests share. */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A security group `sg` ("bastion") with SSH open to the world. */
export const OPEN_SSH = `resource "aws_security_group" "sg" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

/** A security group `ssh` with SSH open to `var.cidr` (the caller declares the variable). */
export const SSH_FROM_VAR = `resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
`;

/** A fresh temporary folder named from `prefix`, holding `files` (relative path to text). */
export function folderOf(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
