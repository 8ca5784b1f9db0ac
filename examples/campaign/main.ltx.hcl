# A product campaign: the product comes from campaign.auto.ltxvars.hcl (or
# -var product=...), the prompts from prompts/*.txt, and plan refuses to
# spend more than the budget.

variable "product" {
  type        = string
  description = "The product every shot shows."
}

variable "resolution" {
  type    = string
  default = "1080p"

  validation {
    condition     = contains(["1080p", "1440p", "4K"], var.resolution)
    error_message = "The resolution must be \"1080p\", \"1440p\" or \"4K\"."
  }
}

variable "seconds" {
  type    = number
  default = 8
}

budget {
  max_credits = 400
}

defaults {
  resolution = var.resolution
  duration   = var.seconds
}

locals {
  shots = {
    unboxing  = templatefile("prompts/unboxing.txt", { product = var.product })
    turntable = templatefile("prompts/turntable.txt", { product = var.product })
  }
}

# video.shot["unboxing"] and video.shot["turntable"]: 8 s each.
video "shot" {
  for_each = local.shots
  prompt   = trimspace(each.value)
}

# 10 s from the packshot; at 1080p the campaign is 26 s, 104 credits.
video "hero" {
  prompt    = trimspace(file("prompts/hero.txt"))
  image_url = "https://cdn.example.com/campaign/hero.png"
  duration  = 10
  output    = "out/hero.mp4"
}
