video "hero" {
  prompt = "A lighthouse"

  output = "/tmp/hero.mp4"
}
