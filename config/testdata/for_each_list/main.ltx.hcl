video "shot" {
  for_each = ["a", "b"]
  prompt   = each.value
}
