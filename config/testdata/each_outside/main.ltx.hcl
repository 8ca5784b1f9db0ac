video "hero" {
  prompt = each.value
}
