video "a" {
  prompt = "one"
  output = "out/same.mp4"
}

video "b" {
  prompt = "two"
  output = "out/./same.mp4"
}
