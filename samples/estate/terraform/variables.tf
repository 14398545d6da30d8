variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type = string
}

variable "extra_tags" {
  type    = map(string)
  default = { owner = "payments-team" }
}

variable "app_ports" {
  type    = list(number)
  default = [443]
}

variable "scratch_volumes" {
  type    = number
  default = 2
}
