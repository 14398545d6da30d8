variable "name" { type = string }
variable "cidr_block" { type = string }
variable "zones" { type = list(string) }

resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

resource "aws_subnet" "private" {
  for_each          = toset(var.zones)
  vpc_id            = aws_vpc.this.id
  availability_zone = each.value
  cidr_block        = cidrsubnet(var.cidr_block, 8, index(var.zones, each.value))
  tags              = { Name = "${var.name}-${each.value}" }
}

resource "aws_flow_log" "this" {
  vpc_id          = aws_vpc.this.id
  traffic_type    = "ALL"
  log_destination = "arn:aws:logs:eu-west-1:111122223333:log-group:vpc-flow"
}

output "vpc_id" { value = aws_vpc.this.id }
output "subnet_ids" { value = [for s in aws_subnet.private : s.id] }
