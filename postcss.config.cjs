// Mantine's preset: rem()/light-dark() helpers and the mixins its documentation uses in CSS modules.
module.exports = {
  plugins: {
    'postcss-preset-mantine': {},
  },
};
