video "hero" {
  for_each = toset(["a", "b"])
  count    = 2
  prompt   = "A lighthouse"
}
