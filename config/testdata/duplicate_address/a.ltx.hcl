video "hero" {
  prompt = "first"
}
