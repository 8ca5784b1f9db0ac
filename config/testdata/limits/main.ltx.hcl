# One video per API limit; plan/limits_test.go expects each diagnostic at
# the line of the attribute it names.

locals {
  # range() stops at 1024 values, hence 50 × 40.
  e_2000 = join("", [for i in range(50) : join("", [for j in range(40) : "é"])])
  a_2001 = "${join("", [for i in range(50) : join("", [for j in range(40) : "a"])])}a"
}

video "prompt_empty" {
  prompt = ""
}

video "prompt_2001" {
  prompt = local.a_2001
}

video "prompt_2000_multibyte" {
  prompt = local.e_2000
}

video "duration_5" {
  prompt   = "x"
  duration = 5
}

video "duration_21" {
  prompt   = "x"
  duration = 21
}

video "duration_7_5" {
  prompt   = "x"
  duration = 7.5
}

video "resolution_720p" {
  prompt     = "x"
  resolution = "720p"
}

video "resolution_4k" {
  prompt     = "x"
  resolution = "4k"
}

video "image_ftp" {
  prompt    = "x"
  image_url = "ftp://x"
}

video "image_relative" {
  prompt    = "x"
  image_url = "/img.png"
}

video "aspect_with_image" {
  prompt       = "x"
  image_url    = "https://cdn.example.com/a.png"
  aspect_ratio = "16:9"
}

video "aspect_bad" {
  prompt       = "x"
  aspect_ratio = "4:3"
}

video "all_good" {
  prompt       = "A lighthouse at dusk"
  duration     = 20
  resolution   = "4K"
  aspect_ratio = "9:16"
}

video "edges" {
  prompt     = "y"
  duration   = 6
  resolution = "1440p"
  image_url  = "http://example.com/i.png"
}
