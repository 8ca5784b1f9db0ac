vidoe "hero" {
  prompt = "A lighthouse"
}
