variable "seconds" {
  type    = number
  default = 30

  validation {
    condition     = var.seconds <= 20
    error_message = "Videos last at most 20 seconds."
  }
}

video "hero" {
  prompt   = "A lighthouse"
  duration = var.seconds
}
