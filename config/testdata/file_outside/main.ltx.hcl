video "hero" {
  prompt = file("../unknown_attribute/main.ltx.hcl")
}
