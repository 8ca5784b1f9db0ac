# the same name in another file

video "hero" {
  prompt = "second"
}
