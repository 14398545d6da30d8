/**
 * Where `.tf` blocks begin and end, read as HCL reads the text: a block commented out is no
 * block, and braces in strings, comments and heredocs open and close nothing.
 */

import { describe, expect, it } from 'vitest';
import { findBlockLocations } from '../../../src/sources/terraform/block-locations.js';

const where = (text: string) =>
  findBlockLocations(text).map((b) => `${b.address}:${b.line}-${b.endLine}`);

describe('findBlockLocations', () => {
  it('passes over blocks commented out with /* */', () => {
    const text = [
      '/*',
      'resource "aws_s3_bucket" "old" {',
      '  bucket = "old"',
      '}',
      '*/',
      'resource "aws_s3_bucket" "new" {',
      '  bucket = "new"',
      '}',
    ].join('\n');
    expect(where(text)).toEqual(['aws_s3_bucket.new:6-8']);
  });

  it('ends a block at its own brace whatever braces strings, comments and heredocs hold', () => {
    const text = [
      'resource "aws_instance" "web" {',
      '  user_data = <<EOF',
      '}  # not the end',
      'resource "aws_s3_bucket" "in_heredoc" {',
      'EOF',
      '  tags = { note = "}" } # }',
      '  /* } */',
      '}',
      'module "net" {',
      '  source = "./net"',
      '}',
    ].join('\n');
    expect(where(text)).toEqual(['aws_instance.web:1-8', 'module.net:9-11']);
  });
});
