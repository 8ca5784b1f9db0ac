# fal.ai's queue API (queue.fal.run). Each model and mode is an endpoint with
# its own price in US dollars; requests past the account's limit wait in the
# queue instead of being refused, and max_concurrent_tasks bounds how many
# ltxform keeps there. No idempotency key. Its key: FAL_KEY (or LTX_API_KEY),
# sent as "Authorization: Key ...".
api {
  provider             = "fal"
  model                = "ltx-2.3-fast" # the default; "ltx-2.3-pro", "ltx-2-fast", "ltx-2-pro"
  max_concurrent_tasks = 2
}

budget {
  max_cost = 5 # US dollars
}

# 12–20 s only on the fast endpoints, at 1080p and 25 fps.
video "teaser" {
  prompt       = "A paper boat sails across a rain puddle, city lights reflected, shallow depth of field"
  duration     = 16
  aspect_ratio = "9:16"
}

# Image-to-video on the pro endpoint, with a last frame (LTX-2.3 only).
video "product" {
  prompt         = "The headphones rotate slowly on a turntable, soft studio light"
  model          = "ltx-2.3-pro"
  image_url      = "https://cdn.example.com/frames/product.png"
  last_frame_url = "https://cdn.example.com/frames/product-end.png"
  duration       = 6
  resolution     = "1440p"
}
