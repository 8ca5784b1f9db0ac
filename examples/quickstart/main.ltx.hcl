# Four videos at 1080p (4 credits per second):
# 8 s + 6 s + 2 × 6 s = 26 s, so the first apply spends 104 credits.

# Text-to-video, vertical for phones.
video "lighthouse" {
  prompt       = "A lighthouse on a cliff at dusk, waves breaking below, slow aerial orbit"
  duration     = 8
  aspect_ratio = "9:16"
}

# Image-to-video: the image sets the first frame and the shape.
video "portrait" {
  prompt    = "The subject turns toward the camera and smiles, hair moving in a light breeze"
  image_url = "https://cdn.example.com/quickstart/portrait.png"
  duration  = 6
}

# One video per season: video.season["spring"] and video.season["autumn"],
# written to out/season/spring.mp4 and out/season/autumn.mp4.
video "season" {
  for_each = {
    spring = "Cherry blossoms drifting over a quiet canal, morning light"
    autumn = "Red maple leaves falling on a wooden bridge, golden hour"
  }
  prompt   = each.value
  duration = 6
}
