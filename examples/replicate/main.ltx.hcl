# Replicate's predictions API for the official Lightricks models. Outputs are
# deleted an hour after a prediction ends, so apply downloads each video as
# soon as it is done; task_timeout is sent as Cancel-After. Replicate
# publishes no price for these models: the built-in ones are assumed, and a
# pricing block gives yours. Its key: REPLICATE_API_TOKEN (or LTX_API_KEY).
api {
  provider     = "replicate"
  model        = "ltx-2.5-fast" # the default; or "ltx-2-fast"
  task_timeout = "15m"
}

pricing {
  usd_per_second = { "ltx-2.5-fast/1080p" = 0.04 }
}

video "teaser" {
  prompt       = "A paper boat sails across a rain puddle, city lights reflected, shallow depth of field"
  duration     = 8
  aspect_ratio = "9:16"
}

video "product" {
  prompt     = "The headphones rotate slowly on a turntable, soft studio light"
  image_url  = "https://cdn.example.com/frames/product.png"
  duration   = 6
  resolution = "720p"
}
