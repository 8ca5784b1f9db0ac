variable "product" {
  default = "headphones"
}

video "hero" {
  prompt = "Unboxing ${var.prodct}"
}
