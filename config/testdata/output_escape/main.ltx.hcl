video "hero" {
  prompt = "A lighthouse"
  output = "../elsewhere/hero.mp4"
}
