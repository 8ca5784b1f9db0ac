locals {
  shots = { a = "one" }
}

video "shot" {
  for_each = local.shot
  prompt   = each.value
}
