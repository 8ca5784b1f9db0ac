video "ok" {
  prompt = "fine"
}

video "hero" {
  duration = 8
}
