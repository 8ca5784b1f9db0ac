# Lightricks' own API (api.ltx.video, async v2). It bills US dollars per
# second, runs 2 generations at once per account, keeps results 24 h and has
# no idempotency key, seed or webhook. Its key: LTX_API_KEY (or LTXV_API_KEY).
api {
  provider = "lightricks"
  model    = "ltx-2-3-fast" # the default; "ltx-2-3-pro" for the pro model
}

budget {
  max_cost = 5 # US dollars
}

# 1080p + 9:16 is sent as the portrait size "1080x1920".
video "teaser" {
  prompt        = "A paper boat sails across a rain puddle, city lights reflected, shallow depth of field"
  duration      = 8
  aspect_ratio  = "9:16"
  camera_motion = "dolly_in"
}

# A first frame from the manifest directory: uploaded, then sent by its
# storage URI. A new picture is a new request.
video "product" {
  prompt         = "The headphones rotate slowly on a turntable, soft studio light"
  image_file     = "frames/product.png"
  duration       = 6
  resolution     = "720p"
  generate_audio = false
}
