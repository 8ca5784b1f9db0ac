variable "product" {
  type = string
}

video "hero" {
  prompt = "Unboxing ${var.product}"
}
