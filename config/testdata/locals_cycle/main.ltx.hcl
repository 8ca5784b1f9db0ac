locals {
  a = "${local.b}!"
  b = upper(local.a)
  c = "independent"
}

video "hero" {
  prompt = local.c
}
