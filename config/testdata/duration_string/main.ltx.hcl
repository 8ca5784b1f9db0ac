video "hero" {
  prompt   = "A lighthouse"
  duration = "10"
}
