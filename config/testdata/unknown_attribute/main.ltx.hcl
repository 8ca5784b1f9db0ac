video "hero" {
  promt    = "A lighthouse at dusk"
  duration = 8
}
