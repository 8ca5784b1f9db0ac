# ltx-2api.com's API reference (/api/generate, /api/status). It offers 480p,
# 720p and 1080p at 5–20 s and bills credits: 10 s at 1080p is 44 credits (the
# documented example); the 480p and 720p prices are assumed until you set
# your plan's own in the pricing block below.
api {
  provider = "ltx2api"
}

pricing {
  per_second = { "720p" = 3.6 } # your plan's price, once you know it
}

video "clip" {
  for_each   = toset(["sunrise", "sunset"])
  prompt     = "Time-lapse of a ${each.key} over a mountain lake, mist on the water"
  duration   = 10
  resolution = "1080p"
  seed       = 7
}

video "short" {
  prompt     = "A cat stretches on a sunny windowsill"
  duration   = 5
  resolution = "720p"
}
