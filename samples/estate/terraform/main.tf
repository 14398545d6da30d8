# Palisade sample estate: the "orders" service on AWS, written by the Palisade team for the demo.
# Some resources are hardened, some are not, so a scan has something to say.

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" {
  region = var.region
}

locals {
  name = "orders-${var.environment}"
  tags = merge(var.extra_tags, { service = "orders", environment = var.environment })
}

module "network" {
  source     = "./modules/network"
  name       = local.name
  cidr_block = "10.20.0.0/16"
  zones      = ["eu-west-1a", "eu-west-1b"]
}

resource "aws_kms_key" "data" {
  description         = "orders data key"
  enable_key_rotation = true
  tags                = local.tags
}

resource "aws_kms_key" "legacy" {
  description = "old import key, never rotated"
  tags        = local.tags
}

resource "aws_s3_bucket" "invoices" {
  bucket = "${local.name}-invoices"
  tags   = local.tags
}

resource "aws_s3_bucket_public_access_block" "invoices" {
  bucket                  = aws_s3_bucket.invoices.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "invoices" {
  bucket = aws_s3_bucket.invoices.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket_versioning" "invoices" {
  bucket = aws_s3_bucket.invoices.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "invoices" {
  bucket        = aws_s3_bucket.invoices.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "invoices/"
}

resource "aws_s3_bucket" "access_logs" {
  bucket = "${local.name}-access-logs"
  tags   = local.tags
}

# The marketing team's asset bucket: public on purpose, and the scan should say so.
resource "aws_s3_bucket" "assets" {
  bucket = "${local.name}-public-assets"
  tags   = local.tags
}

resource "aws_s3_bucket_acl" "assets" {
  bucket = aws_s3_bucket.assets.id
  acl    = "public-read"
}

resource "aws_security_group" "bastion" {
  name        = "${local.name}-bastion"
  description = "SSH to the bastion"
  vpc_id      = module.network.vpc_id

  ingress {
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "app" {
  name        = "${local.name}-app"
  description = "HTTPS from the load balancer subnet only"
  vpc_id      = module.network.vpc_id

  dynamic "ingress" {
    for_each = var.app_ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.20.0.0/16"]
    }
  }
}

resource "aws_instance" "bastion" {
  ami                    = "ami-0c1c30571d2dae5c9"
  instance_type          = "t3.micro"
  subnet_id              = module.network.subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.bastion.id]

  root_block_device {
    encrypted = false
  }

  metadata_options {
    http_tokens = "optional"
  }
}

resource "aws_ebs_volume" "scratch" {
  count             = var.scratch_volumes
  availability_zone = "eu-west-1a"
  size              = 50
  encrypted         = count.index == 0 ? true : false
  tags              = local.tags
}

resource "aws_db_instance" "orders" {
  identifier              = "${local.name}-db"
  engine                  = "postgres"
  instance_class          = "db.t3.medium"
  allocated_storage       = 100
  username                = "orders"
  manage_master_user_password = true
  storage_encrypted       = true
  kms_key_id              = aws_kms_key.data.arn
  backup_retention_period = 14
  multi_az                = var.environment == "prod"
  publicly_accessible     = false
  deletion_protection     = true
  iam_database_authentication_enabled = true
  skip_final_snapshot     = false
}

resource "aws_cloudtrail" "main" {
  name                          = "${local.name}-trail"
  s3_bucket_name                = aws_s3_bucket.access_logs.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = false
  tags                          = local.tags
}

resource "aws_iam_policy" "deploy" {
  name = "${local.name}-deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
